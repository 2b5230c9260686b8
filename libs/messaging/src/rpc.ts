import {
  applyDecorators,
  Catch,
  Controller,
  Injectable,
  Logger,
  UseFilters,
  UseInterceptors,
  type ArgumentsHost,
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
  type PipeTransform,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { NatsContext, Payload } from '@nestjs/microservices';
import type { MsgHdrs } from '@nats-io/transport-node';
import { PolicyRequestError, PolicyServerError, PolicyTimeoutError, PolicyUnreachableError, PpmError, type PpmErrorCode } from '@rstar/clients';
import { ContractViolationError, decodeMessage, type JsonMessageFns } from '@rstar/contracts';
import { acceptCorrelationId, CORRELATION_HEADER, currentCorrelationId, runWithCorrelation, type ReadinessRegistry } from '@rstar/service-kit';
import { Observable, throwError } from 'rxjs';

/**
 * What an RPC failed with. The service side sets the first group in its error reply; the calling side
 * (`NatsRpcClient`) sets the second group when no reply came or the reply broke the contract.
 */
export enum RpcErrorCode {
  /** The request does not match its contract (or asks for what the service cannot do): do not retry it. */
  INVALID_PAYLOAD = 'INVALID_PAYLOAD',
  /** What the service needs (a model server, its worker pool) cannot be reached now; another try may work. */
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  /** What the service called did not answer in time. */
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  /** What the service called refused the request (a 4xx: e.g. a prompt longer than the model's context). */
  UPSTREAM_REJECTED = 'UPSTREAM_REJECTED',
  /** What the service called failed or answered nonsense. */
  UPSTREAM_ERROR = 'UPSTREAM_ERROR',
  /** A bug or an unexpected state in the service; details are in its log under the correlation id. */
  INTERNAL = 'INTERNAL',
  /** No instance of the service subscribes to the subject (none running, or all restarting). */
  NO_RESPONDERS = 'NO_RESPONDERS',
  /** No reply within the caller's timeout. */
  TIMEOUT = 'TIMEOUT',
  /** The reply does not match its contract. */
  INVALID_REPLY = 'INVALID_REPLY',
  /** The caller's NATS connection is closed or draining. */
  CONNECTION_CLOSED = 'CONNECTION_CLOSED',
}

const RPC_ERROR_CODES = new Set<string>(Object.values(RpcErrorCode));

export function isRpcErrorCode(value: unknown): value is RpcErrorCode {
  return typeof value === 'string' && RPC_ERROR_CODES.has(value);
}

/** The error reply of a request: what crosses the wire, never a stack. */
export interface RpcErrorBody {
  code: RpcErrorCode;
  message: string;
}

/** The one error type of RPC handlers: thrown to reply with this code and message. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
  ) {
    super(message);
  }

  toBody(): RpcErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** A service's own errors (its pool, its worker) as RPC errors; `undefined` for errors it does not know. */
export type RpcErrorMapper = (error: unknown) => RpcError | undefined;

function ppmErrorCode(code: PpmErrorCode): RpcErrorCode {
  switch (code) {
    case 'unreachable':
      return RpcErrorCode.UPSTREAM_UNAVAILABLE;
    case 'timeout':
      return RpcErrorCode.UPSTREAM_TIMEOUT;
    case 'rejected':
      return RpcErrorCode.UPSTREAM_REJECTED;
    case 'server':
      return RpcErrorCode.UPSTREAM_ERROR;
  }
}

/**
 * The error reply for anything a handler throws: the service's own mappers first, then the errors of the
 * libraries the services wrap; anything else is INTERNAL, with the correlation id instead of details.
 */
export function toRpcErrorBody(error: unknown, mappers: readonly RpcErrorMapper[] = []): RpcErrorBody {
  if (error instanceof RpcError) return error.toBody();
  for (const mapper of mappers) {
    const mapped = mapper(error);
    if (mapped) return mapped.toBody();
  }
  if (error instanceof ContractViolationError) return { code: RpcErrorCode.INVALID_PAYLOAD, message: error.message };
  if (error instanceof PolicyUnreachableError) return { code: RpcErrorCode.UPSTREAM_UNAVAILABLE, message: error.message };
  if (error instanceof PolicyTimeoutError) return { code: RpcErrorCode.UPSTREAM_TIMEOUT, message: error.message };
  if (error instanceof PolicyRequestError) return { code: RpcErrorCode.UPSTREAM_REJECTED, message: error.message };
  if (error instanceof PolicyServerError) return { code: RpcErrorCode.UPSTREAM_ERROR, message: error.message };
  if (error instanceof PpmError) return { code: ppmErrorCode(error.code), message: error.message };
  const correlationId = currentCorrelationId();
  return { code: RpcErrorCode.INTERNAL, message: `internal error${correlationId ? ` (correlation id ${correlationId})` : ''}` };
}

/** The correlation id a NATS request carries (a well-formed one), or a new one. */
export function correlationIdOf(context: unknown): string {
  return acceptCorrelationId(correlationHeader(context));
}

function correlationHeader(context: unknown): string | undefined {
  if (!(context instanceof NatsContext)) return undefined;
  const headers = context.getHeaders() as MsgHdrs | undefined;
  return headers?.get(CORRELATION_HEADER) || undefined;
}

/**
 * Runs each RPC handler (its pipes included) with the request's correlation id in scope, so everything it
 * logs and sends carries it.
 */
@Injectable()
export class RpcCorrelationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const id = correlationIdOf(context.switchToRpc().getContext());
    // Both the call to `handle()` and the subscription run in scope: whichever starts the handler carries the id.
    return new Observable((subscriber) => runWithCorrelation(id, () => next.handle().subscribe(subscriber)));
  }
}

/** Replies `{code, message}` for whatever a handler throws, and logs it (INTERNAL with its stack, here only). */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private static readonly logger = new Logger('Rpc');

  constructor(private readonly mappers: readonly RpcErrorMapper[] = []) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const rpc = host.switchToRpc();
    const context = rpc.getContext<unknown>();
    const correlationId = currentCorrelationId() ?? correlationIdOf(context);
    const subject = context instanceof NatsContext ? context.getSubject() : 'rpc';
    return runWithCorrelation(correlationId, () => {
      const body = toRpcErrorBody(exception, this.mappers);
      if (body.code === RpcErrorCode.INTERNAL) {
        RpcErrorFilter.logger.error(`${subject} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
      } else {
        RpcErrorFilter.logger.warn(`${subject} failed with ${body.code}: ${body.message}`);
      }
      return throwError(() => body);
    });
  }
}

/**
 * A controller of @MessagePattern handlers: each runs under the request's correlation id, and whatever it
 * throws is replied as `{code, message}` (`mappers` name the service's own errors).
 */
export function RpcController(...mappers: RpcErrorMapper[]): ClassDecorator {
  return applyDecorators(Controller(), UseInterceptors(RpcCorrelationInterceptor), UseFilters(new RpcErrorFilter(mappers)));
}

/** Decodes a request payload with its contract (`decodeMessage`); a payload that breaks it is INVALID_PAYLOAD. */
export class ContractPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly fns: JsonMessageFns<T>,
    private readonly messageType: string,
  ) {}

  transform(value: unknown): T {
    try {
      return decodeMessage(this.fns, value, this.messageType);
    } catch (error) {
      if (error instanceof ContractViolationError) throw new RpcError(RpcErrorCode.INVALID_PAYLOAD, error.message);
      throw error;
    }
  }
}

/** `@Payload()` decoded with the message's contract: `@ContractPayload(policyV1.CompleteRequest, 'CompleteRequest')`. */
export function ContractPayload<T>(fns: JsonMessageFns<T>, messageType: string): ParameterDecorator {
  return Payload(new ContractPipe(fns, messageType));
}

/**
 * Registers the readiness check `nats`: up while every NATS transport of the app is connected (the service
 * takes no requests while it reconnects).
 */
export function registerRpcReadiness(app: INestApplication, readiness: ReadinessRegistry): void {
  const statuses = app.getMicroservices().map((microservice) => {
    const state = { current: 'connecting' };
    microservice.status.subscribe((status) => {
      state.current = status;
    });
    return state;
  });
  readiness.register('nats', () => {
    const down = statuses.find((s) => s.current !== 'connected');
    if (down) throw new Error(down.current);
  });
}
