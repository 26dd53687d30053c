/** Every service's name, as OpenTelemetry, logs, metrics and default consumer groups know it. */
export const serviceNames = {
  ingress: "whatsapp-ingress",
  statusProjector: projectorServiceName("status"),
  conversationProjector: projectorServiceName("conversation"),
  /** A projector process that runs several projections. */
  projectors: "whatsapp-projector",
} as const;

/** A projector's service name follows from its projection's name: `whatsapp-<name>-projector`. */
export function projectorServiceName(projection: string): string {
  return `whatsapp-${projection}-projector`;
}

/** Default HTTP port of a service's endpoints (PORT overrides it; 0 takes any free port). */
export function defaultPort(serviceName: string): number {
  const ports: Record<string, number> = {
    [serviceNames.ingress]: 3000,
    [serviceNames.statusProjector]: 3001,
    [serviceNames.projectors]: 3001,
    [serviceNames.conversationProjector]: 3002,
  };
  return ports[serviceName] ?? 0;
}
