/** The few error codes the application raises; only http/error-handler.ts maps them to statuses. */
export type AppErrorCode =
  'validation' | 'not_found' | 'unauthorized' | 'forbidden' | 'conflict' | 'busy' | 'unavailable';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
