/**
 * Errors of the Toxiproxy-compatible HTTP API. Toxiproxy answers every error with the JSON body
 * `{"error": "<message>", "status": <code>}` and the same code as HTTP status (api.go), so clients
 * written for Toxiproxy see the same shapes here.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }

  /** Toxiproxy's joinError: "<wrapper message>: <detail>" with the wrapper's status. */
  static join(wrapper: ApiError, detail: string): ApiError {
    return new ApiError(`${wrapper.message}: ${detail}`, wrapper.status);
  }
}

// The same messages and codes as Toxiproxy's api.go.
export const ErrBadRequestBody = new ApiError('bad request body', 400);
export const ErrMissingField = new ApiError('missing required field', 400);
export const ErrProxyNotFound = new ApiError('proxy not found', 404);
export const ErrProxyAlreadyExists = new ApiError('proxy already exists', 409);
export const ErrInvalidStream = new ApiError(
  'stream was invalid, can be either upstream or downstream',
  400,
);
export const ErrInvalidToxicType = new ApiError('invalid toxic type', 400);
export const ErrToxicAlreadyExists = new ApiError('toxic already exists', 409);
export const ErrToxicNotFound = new ApiError('toxic not found', 404);
