import { ConfigError } from '../../../core/errors';
import { realtimeOption, realtimeSkipReason } from './realtime-option';

describe('--realtime on hil run and hil campaign', () => {
  it('parses the priority: bare is the default, text 1-99, anything else exit 2 naming the value', () => {
    expect(realtimeOption(undefined)).toBeUndefined();
    expect(realtimeOption(true)).toBe(10);
    expect(realtimeOption('20')).toBe(20);
    for (const bad of ['0', '100', 'x', '7.5']) expect(() => realtimeOption(bad)).toThrow(new ConfigError(`--realtime ${bad}: expected a priority from 1 to 99`));
  });

  it('is not asked when nothing runs in real time, nor for --speed above 1 on one CPU (the controller would starve)', () => {
    expect(realtimeSkipReason(false, undefined, 4)).toBe('every scenario runs in virtual time');
    expect(realtimeSkipReason(true, undefined, 1)).toBeUndefined(); // true real time on one CPU: asked
    expect(realtimeSkipReason(true, 1, 1)).toBeUndefined();
    expect(realtimeSkipReason(true, 10, 2)).toBeUndefined(); // the controller has the other CPU
    expect(realtimeSkipReason(true, 10, 1)).toMatch(/^--speed 10 on one CPU: a busy real-time harness would leave the controller process 5 % of it/);
  });
});
