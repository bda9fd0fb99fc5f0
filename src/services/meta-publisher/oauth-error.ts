import type { FastifyReply } from 'fastify';

/** Meta answers over-limit and refused calls with HTTP 400 and an OAuthException body. */
export function oauthException(reply: FastifyReply, message: string, code: number, subcode?: number) {
  return reply.code(400).send({
    error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'sim' },
  });
}

/** Meta's answer to an account over its hourly calls: code 17, subcode 2446079. */
export const userLimitReached = (reply: FastifyReply) =>
  oauthException(reply, 'User request limit reached', 17, 2446079);
