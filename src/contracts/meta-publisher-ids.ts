/**
 * Canonical forms of the ids Meta Publisher takes. One object has one spelling: no leading zeros, no case or
 * whitespace variants, so an alias cannot slip past the per-account and per-ad-set rules keyed by these strings.
 * Plain patterns (no zod), so any layer may read them.
 */
const NUMBER = '[1-9]\\d{0,17}';
const INDEX = `(?:0|${NUMBER})`;

export const ID_FORMS = {
  account: new RegExp(`^act_${NUMBER}$`),
  adSet: new RegExp(`^act_${NUMBER}_as${INDEX}$`),
  /** A Graph-style numeric id (created through the API) or a market ad (`<ad set>_ad<n>`). */
  ad: new RegExp(`^(?:${NUMBER}\\d{0,2}|act_${NUMBER}_as${INDEX}_ad${INDEX})$`),
  /** The platform's own campaign, a lowercase UUID. */
  campaign: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};
