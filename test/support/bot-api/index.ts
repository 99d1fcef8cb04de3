export {
  ApiError,
  DEFAULT_TOKEN,
  startBotApiServer,
  type ApiErrorResponse,
  type BotApiServer,
  type CommandSet,
  type MethodHandler,
  type Params,
  type RecordedCall,
  type SentMessage,
  type StartOptions,
  type UploadedFile,
  type WebhookInfo,
} from './server.js';
export {
  allocUpdateId,
  callbackUpdate,
  commandUpdate,
  mediaUpdate,
  textUpdate,
  type MediaKind,
  type UserOptions,
} from './updates.js';
export type { Update } from 'telegraf/types';
