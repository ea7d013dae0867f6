import { arrayAt, recordAt, type StoredObject } from './kube-object.js';
import type { ObjectStore } from './object-store.js';
import { resourceByKind } from './resource-catalog.js';

/** The ConfigMap and Secret references a kubelet must resolve before it can start a pod's containers. */
export class PodDependencies {
  constructor(private readonly store: ObjectStore) {}

  /** A non-optional configMap/secret volume that does not exist keeps the pod in ContainerCreating. */
  missingVolume(pod: StoredObject): string | undefined {
    for (const volume of arrayAt(pod, 'spec', 'volumes')) {
      const configMap = recordAt(volume, 'configMap');
      if (configMap['name'] && configMap['optional'] !== true && !this.exists('ConfigMap', pod, String(configMap['name']))) return `configmap "${String(configMap['name'])}" not found`;
      const secret = recordAt(volume, 'secret');
      if (secret['secretName'] && secret['optional'] !== true && !this.exists('Secret', pod, String(secret['secretName']))) return `secret "${String(secret['secretName'])}" not found`;
    }
    return undefined;
  }

  /** A missing env source gives the container CreateContainerConfigError. */
  missingEnvSource(pod: StoredObject, container: Record<string, unknown>): string | undefined {
    const references: { kind: 'ConfigMap' | 'Secret'; name: string; optional: boolean }[] = [];
    for (const variable of arrayAt(container, 'env')) {
      const configMap = recordAt(variable, 'valueFrom', 'configMapKeyRef');
      if (configMap['name']) references.push({ kind: 'ConfigMap', name: String(configMap['name']), optional: configMap['optional'] === true });
      const secret = recordAt(variable, 'valueFrom', 'secretKeyRef');
      if (secret['name']) references.push({ kind: 'Secret', name: String(secret['name']), optional: secret['optional'] === true });
    }
    for (const source of arrayAt(container, 'envFrom')) {
      const configMap = recordAt(source, 'configMapRef');
      if (configMap['name']) references.push({ kind: 'ConfigMap', name: String(configMap['name']), optional: configMap['optional'] === true });
      const secret = recordAt(source, 'secretRef');
      if (secret['name']) references.push({ kind: 'Secret', name: String(secret['name']), optional: secret['optional'] === true });
    }
    const missing = references.find((reference) => !reference.optional && !this.exists(reference.kind, pod, reference.name));
    return missing && `${missing.kind === 'ConfigMap' ? 'configmap' : 'secret'} "${missing.name}" not found`;
  }

  private exists(kind: 'ConfigMap' | 'Secret', pod: StoredObject, name: string): boolean {
    return this.store.has(resourceByKind(kind), pod.metadata.namespace, name);
  }
}
