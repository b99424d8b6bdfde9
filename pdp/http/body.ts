import type { IncomingMessage } from 'node:http';
import { CustosError } from '../../lib/errors.js';

/**
 * Reads a JSON request body with a byte limit, instead of a general body-parser: one content
 * type check, one buffer, one `JSON.parse`. Errors never quote the body (it may hold personal
 * data); a syntax error names only its byte position.
 */

/** `application/json` or `application/<x>+json`, with optional parameters (`; charset=utf-8`). */
const isJsonMediaType = (header: string | undefined): boolean => {
  if (header === undefined) return false;
  const semi = header.indexOf(';');
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
};

const tooLarge = (limitBytes: number): CustosError =>
  new CustosError('ERR_PDP_BODY_TOO_LARGE', {
    message: `the request body is larger than the limit of ${limitBytes} bytes`,
    hint: 'split batches into smaller requests, or raise server.bodyLimitBytes',
  });

export const readJsonBody = (req: IncomingMessage, limitBytes: number): Promise<unknown> =>
  new Promise((resolve, reject) => {
    if (!isJsonMediaType(req.headers['content-type'])) {
      // Drain so the connection stays usable for the next request on it.
      req.resume();
      reject(new CustosError('ERR_PDP_UNSUPPORTED_MEDIA_TYPE', {
        message: 'the request body must be JSON',
        hint: 'send Content-Type: application/json',
      }));
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitBytes) {
      req.resume();
      reject(tooLarge(limitBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (cause) => {
      if (failed) return;
      failed = true;
      reject(new CustosError('ERR_PDP_INVALID_REQUEST', { message: 'the request body could not be read', cause }));
    });
    req.on('end', () => {
      if (failed) return;
      if (size === 0) {
        reject(new CustosError('ERR_PDP_EMPTY_BODY', {
          message: 'the request body is empty',
          hint: 'send an AuthZEN request object as JSON',
        }));
        return;
      }
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (cause) {
        const position = /position (\d+)/.exec((cause as Error).message)?.[1];
        reject(new CustosError('ERR_PDP_MALFORMED_JSON', {
          message: position === undefined ? 'the request body is not valid JSON' : `the request body is not valid JSON (at byte ${position})`,
          hint: 'send a well-formed JSON object',
        }));
      }
    });
  });
