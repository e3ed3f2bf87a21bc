import { TOKEN_SCOPES, type TokenScope } from '../../auth/tokens.js';
import { parse, UsageError } from '../args.js';
import type { Output } from '../output.js';
import { openFromArgs, recordOperatorAccess } from './open.js';

const USAGE = `Usage:
  steno token create --name NAME [--scope ingest|read|review|admin]...   prints the token once; only its hash is stored
  steno token list [--json]
  steno token revoke --name NAME`;

export async function tokenCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    args,
    { name: { type: 'string' }, scope: { type: 'string', multiple: true } },
    USAGE,
  );
  const [action] = positionals;
  if (values.help || action === undefined) {
    out.stdout(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  await using steno = await openFromArgs(values, true);
  switch (action) {
    case 'create': {
      if (values.name === undefined) throw new UsageError(`--name is required\n\n${USAGE}`);
      const scopes = (values.scope ?? ['ingest']) as TokenScope[];
      const { token, info } = await steno.tokens.create({ name: values.name, scopes });
      await recordOperatorAccess(steno, 'token.create', info.name, { scopes: info.scopes });
      if (values.json) out.stdout(`${JSON.stringify({ ...info, token })}\n`);
      else out.stdout(`${token}\n`);
      if (!values.json) out.stderr(`Token "${info.name}" (${info.scopes.join(', ')}) — shown once; store it now.\n`);
      return 0;
    }
    case 'list': {
      const tokens = await steno.tokens.list();
      if (values.json) out.stdout(`${JSON.stringify(tokens)}\n`);
      else
        for (const t of tokens)
          out.stdout(
            `${t.name}\t${t.scopes.join(',')}\t${t.createdAt}${t.revokedAt ? `\trevoked ${t.revokedAt}` : ''}\n`,
          );
      return 0;
    }
    case 'revoke': {
      if (values.name === undefined) throw new UsageError(`--name is required\n\n${USAGE}`);
      await steno.tokens.revoke(values.name);
      await recordOperatorAccess(steno, 'token.revoke', values.name);
      out.stdout(`revoked ${values.name}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown token action "${action}"; scopes are ${TOKEN_SCOPES.join(', ')}\n\n${USAGE}`);
  }
}
