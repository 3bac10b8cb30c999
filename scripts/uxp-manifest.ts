import { z } from 'zod';

/**
 * The UXP manifest v5 rules a Premiere panel package must meet, as Adobe documents them
 * (plugins/concepts/manifest, distribution/package) and as field reports refine them (see
 * ../shared/premiere-uxp-facts.md §1, §4, §7). `npm run package` refuses a manifest that breaks one.
 */
const Version = z.string().regex(/^\d+\.\d+\.\d+$/, 'a version is three numbers, e.g. 25.6.0');
const Size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).strict();
/** An origin with its scheme (a bare host matches nothing); "all" only as the bare string. */
const Origin = z
  .string()
  .regex(/^(https?|wss?):\/\/[^/\s*]+(:\d+)?$/, 'a domain entry is an origin with its scheme (and port), e.g. https://127.0.0.1:7717; wildcards are not supported')
  .refine((s) => s !== 'all', '"all" inside a list denies everything: give it as the bare string');

export const UxpManifest = z
  .object({
    manifestVersion: z.literal(5),
    id: z.string().regex(/^[A-Za-z0-9._-]+$/),
    name: z.string().min(1),
    version: Version,
    main: z.string().min(1),
    /** A single host object: an array is allowed only while developing, and a .ccx packs the first. */
    host: z.object({ app: z.literal('premierepro'), minVersion: Version }).strict(),
    entrypoints: z
      .array(
        z
          .object({
            type: z.enum(['panel', 'command']),
            id: z.string().min(1),
            label: z.object({ default: z.string().min(1) }).catchall(z.string()),
            minimumSize: Size.optional(),
            maximumSize: Size.optional(),
            preferredDockedSize: Size.optional(),
            preferredFloatingSize: Size.optional(),
            icons: z.array(z.object({ width: z.number(), height: z.number(), path: z.string() }).passthrough()).optional(),
          })
          .strict(),
      )
      .min(1)
      .refine((e) => new Set(e.map((x) => x.id)).size === e.length, 'entrypoint ids must be unique'),
    requiredPermissions: z
      .object({
        network: z.object({ domains: z.union([z.literal('all'), z.array(Origin).min(1)]) }).strict().optional(),
        localFileSystem: z.enum(['plugin', 'request', 'fullAccess']).optional(),
        clipboard: z.enum(['read', 'readAndWrite']).optional(),
        launchProcess: z.object({ schemes: z.array(z.string()), extensions: z.array(z.string()) }).strict().optional(),
      })
      .strict(),
    featureFlags: z.record(z.string(), z.boolean()).optional(),
  })
  .strict();
export type UxpManifest = z.infer<typeof UxpManifest>;

/** Every rule broken, one line each (empty when the manifest is good). */
export function manifestProblems(json: unknown, files: readonly string[]): string[] {
  const r = UxpManifest.safeParse(json);
  if (!r.success) return r.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`);
  return files.includes(r.data.main) ? [] : [`main: ${r.data.main} is not in the package`];
}
