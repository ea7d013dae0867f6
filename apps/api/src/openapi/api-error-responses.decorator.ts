import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

const DESCRIPTIONS = {
  400: 'Invalid input; nothing was stored or enqueued.',
  401: 'Missing authorization header, or a key no user has.',
  403: "The source image is outside SOURCE_ALLOWLIST, on the deployer's registry outside the caller's repository, or on a loopback or link-local address.",
  404: "No such build among the caller's builds (another user's build is 404 too).",
  409: 'The build has already finished.',
  413: 'Request body over 1 MiB, or dependency file over MAX_FILE_BYTES once decoded.',
  415: 'A request body that is not application/json.',
  429: 'Too many builds in flight or logs followed for the caller, or too many failed authentications; see Retry-After.',
  502: 'The registry answered what the deployer refuses to follow (a link to another host, an endless walk).',
  503: 'Redis or another dependency is unavailable; retry shortly.',
} as const;

export type ErrorStatus = keyof typeof DESCRIPTIONS;

/** Documents error answers, all `{"status":"ko","message":…}`. */
export const ApiErrorResponses = (...statuses: ErrorStatus[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })),
  );
