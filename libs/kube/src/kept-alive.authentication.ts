import type { KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** How long one dispatcher serves before the kubeconfig's TLS material is taken afresh. */
const RENEW_MS = 5 * 60_000;

/**
 * The kubeconfig's own authentication, with connections kept alive. The
 * client makes a new dispatcher (an undici Agent, hence a new connection)
 * for every call, so a burst of calls pays a connect each; this keeps the
 * first one and hands it to the calls that follow. Headers (a rotating
 * service-account token) are still applied on every call; the dispatcher,
 * which carries the CA and client certificate, is renewed every few minutes.
 */
export class KeptAliveAuthentication implements SecurityAuthentication {
  private kept?: { dispatcher: Dispatcher; since: number };

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly now: () => number = Date.now,
  ) {}

  getName(): string {
    return 'kubeconfig authentication, kept-alive connections';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kubeConfig.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    if (this.kept && this.now() - this.kept.since < RENEW_MS) {
      context.setDispatcher(this.kept.dispatcher);
      void fresh.close();
      return;
    }
    // close() lets the calls still on the old dispatcher finish.
    void this.kept?.dispatcher.close();
    this.kept = { dispatcher: fresh, since: this.now() };
  }
}
