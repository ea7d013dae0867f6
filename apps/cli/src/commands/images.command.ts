import { Command, Option } from 'commander';
import { loadConfig } from '#libs/config';
import { RegistryRepository } from '#libs/registry';

interface RegistryOptions {
  registry: string;
}

const registryOption = () =>
  new Option('--registry <host:port>', 'registry (REGISTRY_USER/REGISTRY_PASS for basic auth)').env('REGISTRY_HOST').makeOptionMandatory();

/** The registry named on the command line is the one REGISTRY_USER/REGISTRY_PASS are for. */
const repositoryClient = (registry: string) => new RegistryRepository(loadConfig({ ...process.env, REGISTRY_HOST: registry }));

/** `name:tag` → [name, tag]. */
const splitImage = (image: string): [string, string] => {
  const colon = image.lastIndexOf(':');
  if (colon <= 0 || image.includes('/', colon)) throw new Error(`expected IMAGE as name:tag, got "${image}"`);
  return [image.slice(0, colon), image.slice(colon + 1)];
};

/** The registry tasks: list-catalogs, list-images, get-image, delete-image. */
export function imageCommands(): Command[] {
  const listCatalogs = new Command('list-catalogs')
    .description('list the repositories of the registry')
    .addOption(registryOption())
    .action(async (options: RegistryOptions) => {
      for (const name of await repositoryClient(options.registry).catalog(options.registry)) process.stdout.write(`${name}\n`);
    });
  const listImages = new Command('list-images')
    .description('list the tags of a repository')
    .addOption(new Option('--catalog <repository>', 'repository, e.g. your login').env('CATALOG').makeOptionMandatory())
    .addOption(registryOption())
    .action(async (options: RegistryOptions & { catalog: string }) => {
      for (const tag of await repositoryClient(options.registry).tags(options.registry, options.catalog)) {
        process.stdout.write(`${options.catalog}:${tag}\n`);
      }
    });
  const getImage = new Command('get-image')
    .description('show an image: digest, layers, labels')
    .addOption(new Option('--image <name:tag>', 'image to show').env('IMAGE').makeOptionMandatory())
    .addOption(registryOption())
    .action(async (options: RegistryOptions & { image: string }) => {
      const [name, tag] = splitImage(options.image);
      const registry = repositoryClient(options.registry);
      const manifest = await registry.manifest(options.registry, name, tag);
      if (!manifest) throw new Error(`${options.image} not found in ${options.registry}`);
      const config = await registry.imageConfig(options.registry, name, manifest.configDigest);
      const size = manifest.layers.reduce((total, layer) => total + layer.size, 0);
      process.stdout.write(
        `${JSON.stringify({ image: options.image, digest: manifest.digest, size, created: config.created, labels: config.labels }, null, 2)}\n`,
      );
    });
  const deleteImage = new Command('delete-image')
    .description('delete an image tag (by its manifest digest)')
    .addOption(new Option('--image <name:tag>', 'image to delete').env('IMAGE').makeOptionMandatory())
    .addOption(registryOption())
    .action(async (options: RegistryOptions & { image: string }) => {
      const [name, tag] = splitImage(options.image);
      const digest = await repositoryClient(options.registry).deleteTag(options.registry, name, tag);
      if (!digest) throw new Error(`${options.image} not found in ${options.registry}`);
      process.stdout.write(`deleted ${options.image} (${digest})\n`);
    });
  return [listCatalogs, listImages, getImage, deleteImage];
}
