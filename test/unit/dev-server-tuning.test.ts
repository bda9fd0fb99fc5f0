import { DEV_SERVER_TUNING, devServerTuning, TEMPORAL_GOGC, temporalEnv } from '../../src/stack/dev-server-tuning';

test('the server processes get the tuned collector target unless GOGC is set or the tuning is off', () => {
  expect(temporalEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', GOGC: TEMPORAL_GOGC });
  expect(temporalEnv({ GOGC: '150' }).GOGC).toBe('150');
  expect(temporalEnv({ GV_DEV_SERVER_TUNING: 'off' }).GOGC).toBeUndefined();
});

test('GV_DEV_SERVER_TUNING=off leaves the dynamic config at its defaults', () => {
  expect(devServerTuning({})).toBe(DEV_SERVER_TUNING);
  expect(devServerTuning({ GV_DEV_SERVER_TUNING: 'off' })).toEqual({});
});
