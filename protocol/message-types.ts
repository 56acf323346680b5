import { MessageType } from './gen/magpie/v1/magpie_pb';

/** A message type's name, as the REST API, the CLI and the UI contract write it. */
export type MessageTypeName = 'text' | 'voice' | 'image' | 'file' | 'location' | 'custom';

/** The name of each wire message type. */
export const MESSAGE_TYPE_NAMES: Readonly<Record<MessageType, MessageTypeName>> = {
  [MessageType.TEXT]: 'text',
  [MessageType.VOICE]: 'voice',
  [MessageType.IMAGE]: 'image',
  [MessageType.FILE]: 'file',
  [MessageType.LOCATION]: 'location',
  [MessageType.CUSTOM]: 'custom',
};
