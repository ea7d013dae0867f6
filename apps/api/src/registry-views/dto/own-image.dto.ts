import { ApiProperty } from '@nestjs/swagger';

/** One tag of the caller's repository. */
export class OwnImageDto {
  @ApiProperty({ example: 'python-2bdf5c3fd5d2a2f3c5e1f7a4b1a9e0c6' })
  tag: string;

  @ApiProperty({ example: 'nuvolaris-registry-svc:5000/devel:python-2bdf5c3fd5d2a2f3c5e1f7a4b1a9e0c6' })
  image: string;
}

/** Where the caller's images live; the repository is always the caller's login, lowercased. */
export class OwnRepositoryDto {
  @ApiProperty({ example: 'nuvolaris-registry-svc:5000', description: "host[:port] of the caller's registry." })
  registry: string;

  @ApiProperty({ example: 'devel', description: "The caller's login, lowercased." })
  repository: string;
}
