/** `steno channels [check]`: each capture channel's health, and raising the alerts it calls for. */
import type { ChannelState } from '../../capture/channels/health.js';
import { checkChannels } from '../../surveil/rules/channels.js';
import { DEFAULT_POLICY } from '../../surveil/rules/policy.js';
import { parse, UsageError } from '../args.js';
import { type Output, printable } from '../output.js';
import { openFromArgs } from './open.js';

const USAGE = `Usage: steno channels [check] [--json] [--data DIR]
  (none)  each capture channel (whatsapp:<number id>, telegram:<bot>, slack:<team>, matrix:<server>,
          webhook:<source>): its state (ok, learning, silent, failing, gaps) and why, events this
          hour and last, what it normally sees in this hour, authentication and media failures
  check   the same, and raise the alerts the states call for (the server does this every minute)`;

export async function channelsCommand(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(args, {}, USAGE);
  if (values.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0 || (action !== undefined && action !== 'check')) {
    throw new UsageError(`unexpected argument ${extra[0] ?? action}\n\n${USAGE}`);
  }
  await using steno = await openFromArgs(values, action === 'check');
  let states: ChannelState[];
  let raised = 0;
  if (action === 'check') {
    const check = await checkChannels({ monitor: steno.channels, policies: steno.policies, alerts: steno.alerts });
    states = check.states;
    raised = check.raised.raised;
    if (raised > 0) await steno.ledger.checkpoint();
  } else {
    const policy = await steno.policies.current();
    states = await steno.channels.states((policy?.policy ?? DEFAULT_POLICY).thresholds.channel_health);
  }
  if (values.json) {
    out.stdout(`${JSON.stringify(action === 'check' ? { channels: states, raised } : { channels: states })}\n`);
    return 0;
  }
  if (states.length === 0) out.stdout('no capture channel has delivered anything yet\n');
  for (const s of states) {
    out.stdout(
      `${printable(s.channel, 80).padEnd(32)} ${s.status.padEnd(8)} last event ${s.lastEventAt ?? 'never'}; ` +
        `${s.eventsThisHour} this hour, ${s.eventsLastHour} last hour, ` +
        `normally ${s.expectedThisHour ?? '?'}; ${s.signatureFailuresLastTwoHours} auth failures (2 h), ` +
        `${s.fetchFailuresLastDay} media failures (24 h)\n    ${s.reason}\n`,
    );
  }
  if (action === 'check') out.stdout(`${raised} alert(s) raised\n`);
  return 0;
}
