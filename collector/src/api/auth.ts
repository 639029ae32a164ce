// Mutating endpoints (/v1/addpeer, /v1/quit, /v1/delay) need PINGSPHERE_TOKEN when one is set:
// as "Authorization: Bearer TOKEN", or as the `token` field of the HTML form (browsers cannot
// add headers to a plain form post).
import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';

function digest(text: string): Buffer {
  // node:crypto is loaded with the first token check (~1 MiB a collector without a token never needs).
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest();
}

/** Equal-length digests make the comparison constant-time whatever was sent. */
function isToken(presented: string | undefined, token: string): boolean {
  return (
    presented !== undefined && process.getBuiltinModule('node:crypto').timingSafeEqual(digest(presented), digest(token))
  );
}

// The scheme name is case-insensitive (RFC 7235 section 2.1): "bearer x" is a bearer token too.
const bearer = /^bearer +(.*)$/i;

/** Query parameters a token is sometimes put in; never read, but named in the refusal. */
const tokenParameters = ['token', 'access_token'];

/** The token of an `Authorization: Bearer …` header, if there is one. */
function bearerToken(request: FastifyRequest): string | undefined {
  return bearer.exec(request.headers.authorization ?? '')?.[1]!.trim();
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = bearerToken(request);
  if (header !== undefined) return header;
  const body = request.body as { token?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.token === 'string') return body.token;
  return undefined;
}

/** True if the request carries the token (always true when no token is configured). */
export function isAuthorized(request: FastifyRequest, token: string | null): boolean {
  if (token === null) return true;
  return isToken(presentedToken(request), token);
}

/**
 * True if the request's Authorization header carries the token (always true without one). The
 * JSON APIs take only the header: their bodies are streamed and never searched for a token.
 */
export function isBearerAuthorized(request: FastifyRequest, token: string | null): boolean {
  if (token === null) return true;
  return isToken(bearerToken(request), token);
}

/** Replies 401 with the fix, for a mutating request without the right token. */
export function refuseUnauthorized(reply: FastifyReply): FastifyReply {
  const query = reply.request.query as Record<string, unknown> | undefined;
  // A token in the URL ends up in access logs, proxies and browser history, so it is never read.
  const inUrl = tokenParameters.some((name) => query?.[name] !== undefined)
    ? " (a token is never read from the URL's query string)"
    : '';
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="pingsphere"')
    .send({
      error: `this endpoint needs the collector's token: send "Authorization: Bearer $PINGSPHERE_TOKEN"${inUrl}`,
    });
}

/** A preHandler that lets only requests with the token through. */
export function requireToken(token: string | null): preHandlerHookHandler {
  return (request, reply, done) => {
    if (isAuthorized(request, token)) done();
    else void refuseUnauthorized(reply);
  };
}
