import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, MagpieError } from '../../protocol';
import { CONTENT_LIMITS } from '../chat/content-limits';
import { THUMBNAIL_SUFFIX } from '../files/downloads';
import { parseKind } from '../files/media-limits';
import { userIdSchema } from './message-input';
import { ownApp, restSender, type RestContext } from './rest-context';
import { REACHES_USERS } from './route-kinds';

const KIND_NAMES = { 1: 'voice', 2: 'image', 3: 'file' } as const;

const uploadedSchema = z.object({
  fileId: z.string(),
  kind: z.enum(['image', 'voice', 'file']),
  owner: z.string(),
  name: z.string(),
  size: z.number(),
  mime: z.string(),
  sha256: z.string(),
  width: z.number(),
  height: z.number(),
  thumbnailId: z.string(),
});

/**
 * The app server's upload: the request body is the file, streamed into the same file store as a
 * client's tus upload, owned by `from` (or the app's system sender), who may then send it by its id.
 */
export async function registerFileRoutes(root: FastifyInstance, ctx: RestContext): Promise<void> {
  // its own scope: every body here is the file's bytes, whatever its type, left unread for streaming
  await root.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const app = scope.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/v1/accounts/:accountSid/apps/:appId/files',
      {
        config: REACHES_USERS,
        schema: {
          tags: ['files'],
          params: z.object({ accountSid: z.string(), appId: z.string() }),
          querystring: z.object({
            kind: z.enum(['image', 'voice', 'file']),
            from: userIdSchema.optional(),
            name: z.string().max(CONTENT_LIMITS.maxFileNameChars).optional(),
          }),
          response: { 201: uploadedSchema },
        },
      },
      async (request, reply) => {
        const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
        if (ctx.files === undefined) throw new MagpieError(ErrorCode.MEDIA_UNAVAILABLE, 'this server has no file service');
        const { kind, from, name } = request.query;
        const header = request.headers['content-length'];
        // said here in the REST caller's terms: the file store's own check speaks of tus' Upload-Length
        if (header === undefined) {
          throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, 'an upload gives its length in Content-Length (a chunked body is not taken)');
        }
        const length = Number(header);
        if (length === 0) throw new MagpieError(ErrorCode.UPLOAD_MISMATCH, 'the file is empty: an upload has at least 1 byte');
        const upload = await ctx.files.ingest({
          appId,
          owner: restSender(ctx, appId, from),
          kind: parseKind(kind),
          name: name ?? '',
          length,
          body: request.raw,
        });
        return reply.code(201).send({
          fileId: upload.fileId,
          kind: KIND_NAMES[upload.kind],
          owner: upload.owner,
          name: upload.name,
          size: upload.declaredSize,
          mime: upload.mime ?? '',
          sha256: upload.sha256 ?? '',
          width: upload.width,
          height: upload.height,
          thumbnailId: upload.thumbnailSha256 !== null ? `${upload.fileId}${THUMBNAIL_SUFFIX}` : '',
        });
      },
    );
  });
}
