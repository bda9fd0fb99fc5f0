import type { FastifyReply } from 'fastify';
import { META_ERRORS, type MetaError } from '../../contracts/meta-publisher';

/** Meta answers over-limit and refused calls with HTTP 400 and an OAuthException body. */
export function oauthException(reply: FastifyReply, message: string, code: number, subcode?: number) {
  const body: MetaError = {
    error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'sim' },
  };
  return reply.code(400).send(body);
}

/** Meta's answer to an account over its hourly calls: code 17, subcode 2446079. */
export const userLimitReached = (reply: FastifyReply) =>
  oauthException(reply, META_ERRORS.userLimit.message, META_ERRORS.userLimit.code, META_ERRORS.userLimit.subcode);
