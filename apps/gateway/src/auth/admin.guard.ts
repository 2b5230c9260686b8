import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import type { GatewayContext } from './gateway-context.js';
import { isAdmin } from './principal.js';

const ADMIN_ONLY = 'rstar:gateway:admin-only';

/** The operation needs an admin API key or the bootstrap admin token. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

/** Refuses @AdminOnly() operations to non-admin principals with FORBIDDEN. Authentication already happened. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<GqlContextType>() !== 'graphql') return true;
    const adminOnly = this.reflector.getAllAndOverride<boolean | undefined>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (!adminOnly) return true;
    const { principal } = GqlExecutionContext.create(context).getContext<GatewayContext>();
    if (!isAdmin(principal)) throw new GatewayError(GatewayErrorCode.FORBIDDEN, 'this operation needs an admin API key');
    return true;
  }
}
