// Jest on Node 20 cannot require an ES module, and @fastify/static requires
// content-disposition 3, which is one. Under Jest only, the CommonJS release
// 2 answers instead: its export is the function release 3 names `create`.
module.exports = { create: require('content-disposition-cjs') };
