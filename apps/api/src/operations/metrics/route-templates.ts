import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
}

const paths = (value: unknown): string[] => (Array.isArray(value) ? value : [value ?? '']).map(String);
const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;
const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

const decodes = (text: string) => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/** `/a/:id/logs` → /^\/a\/([^/]+)\/logs\/?$/i: whatever the case, with or without a trailing slash, as the router matches. */
const patternOf = (template: string) =>
  new RegExp(
    `^${template
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '([^/]+)' : escape(segment)))
      .join('/')}/?$`,
    'i',
  );

/**
 * The route templates of the controllers, to label requests the router
 * passed to the not-found handler by the route
 * they were meant for when one fits, rather than by their raw path.
 */
@Injectable()
export class RouteTemplates {
  private routes?: Route[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  match(method: string, path: string): string | undefined {
    this.routes ??= this.discover();
    const route = this.routes.find((r) => (r.method === method || r.method === 'ALL') && r.pattern.test(path));
    return route?.template;
  }

  /** A parameter, as written, that does not decode (`%ZZ`), of a route whose template fits the raw path. */
  undecodableParam(path: string): string | undefined {
    this.routes ??= this.discover();
    for (const route of this.routes) {
      const params = route.pattern.exec(path)?.slice(1);
      if (params) return params.find((param) => !decodes(param));
    }
    return undefined;
  }

  private discover(): Route[] {
    return this.discovery.getControllers().flatMap(({ metatype, instance }) => {
      if (!metatype || !instance) return [];
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      const prefixes = paths(Reflect.getMetadata(PATH_METADATA, metatype));
      return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name] as object;
        const own = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        if (own === undefined) return [];
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        return prefixes.flatMap((prefix) =>
          paths(own).map((path) => {
            const template = join(prefix, path);
            return { method, template, pattern: patternOf(template) };
          }),
        );
      });
    });
  }
}
