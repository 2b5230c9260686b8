// The mapping lives beside SandboxErrorKind in @rstar/clients, where the NATS client and the sandbox service read it too.
export { toSandboxErrorKind } from '@rstar/clients';
