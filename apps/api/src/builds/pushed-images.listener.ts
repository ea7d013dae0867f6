import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { PushedImagesChannel } from '#libs/builds';
import { ExistingImageFinder } from '#libs/registry';

/** Drops what this replica remembers of a repository as soon as a worker pushes to it. */
@Injectable()
export class PushedImagesListener implements OnApplicationBootstrap {
  constructor(
    private readonly channel: PushedImagesChannel,
    private readonly finder: ExistingImageFinder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.channel.listen((repository) => this.finder.forget(repository));
  }
}
