import { call } from '../support/http-client.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization } from '../support/test-users.js';

const LIST = '/system/api/v1/build';

describe('failed-authentication limit', () => {
  describe('whatever the case of the path', () => {
    let deployer: TestDeployer;
    beforeAll(async () => {
      deployer = await startTestDeployer({ env: { AUTH_FAILURES_PER_WINDOW: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' } });
    });
    afterAll(async () => {
      await deployer?.close();
    });

    it('counts bad keys sent to /System/api and /SYSTEM/API/... and locks every spelling', async () => {
      const wrong = authorization({ ...USERS.alice, key: 'wrong' });
      const spellings = ['/System/api/v1/build', '/SYSTEM/API/V1/BUILD', '/system/API/v1/Build'];
      for (const path of spellings) expect((await call(deployer.url, 'GET', path, { auth: wrong })).status).toBe(401);
      for (const path of [...spellings, LIST]) expect((await call(deployer.url, 'GET', path, { auth: wrong })).status).toBe(429);
    });
  });
});
