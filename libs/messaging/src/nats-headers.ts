import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { CORRELATION_HEADER } from '@rstar/service-kit';

/** The headers every NATS message of ours carries: its correlation id. */
export function correlationHeaders(correlationId: string): MsgHdrs {
  const h = natsHeaders();
  h.set(CORRELATION_HEADER, correlationId);
  return h;
}
