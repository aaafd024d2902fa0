import { VirtualClock } from '../../core/clock';
import { attachAftermarket } from '../../emulators/bms/profiles/aftermarket-common/attach';
import { clockOf, type BmsProtocolProfile } from '../../emulators/bms/profiles/protocol-profile';
import { bmsProtocolNames, registerBmsProtocol } from '../../emulators/bms/profiles/registry';
import { makeFrame, type CanFrame } from '../../protocols/can/frame';
import { BenchInstance } from './bench-instance';
import { parseBench } from './load-bench';

/**
 * The protocol registry end to end (docs/adding-a-protocol.md): a toy protocol defined here, registered through the
 * public API, is refused by the bench check before it is registered, then accepted, brought up by a bench and heard
 * on its bus; its protocol-only parameter is checked against the other protocols from its declaration alone.
 */
const TOY_ID = 0x7a0;
const toyProtocol: BmsProtocolProfile = {
  name: 'toy-soc',
  description: 'example: the reported SOC (0.1 %) and pack voltage (0.1 V) in frame 0x7A0, every second',
  transport: 'can',
  packs: 'any pack',
  params: ['periodMs'],
  attachCan: (device, bus, ctx) =>
    attachAftermarket('toy-soc', device, bus, {
      ...clockOf(ctx),
      broadcasts: [
        {
          periodMs: ctx.params.periodMs ?? 1000,
          frames: (d) => {
            const s = d.snapshot();
            const soc = Math.round(s.soc * 1000);
            const volts = Math.round(s.packVoltage * 10);
            return [makeFrame(TOY_ID, [soc & 0xff, soc >> 8, volts & 0xff, volts >> 8])];
          },
        },
      ],
    }),
};

const benchText = (params = '{ soc: 62 }'): string =>
  [
    'bench: toy',
    'can:',
    '  toy: { hub: { socketcand: "127.0.0.1:0", bus: toy } }',
    'devices:',
    `  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: toy-soc, can: toy, params: ${params} }`,
    '',
  ].join('\n');

describe('a protocol added through the registry', () => {
  let unregister: (() => void) | undefined;
  afterEach(() => {
    unregister?.();
    unregister = undefined;
  });

  it('is unknown to a bench until registered', () => {
    expect(bmsProtocolNames()).not.toContain('toy-soc');
    expect(() => parseBench(benchText(), 'toy.yaml')).toThrow(/toy\.yaml:5:\d+: BMS 'pack1': unknown protocol 'toy-soc'/);
  });

  it('once registered, a bench brings it up and its frames are on the bus, with the values of the pack', async () => {
    unregister = registerBmsProtocol(toyProtocol);
    expect(bmsProtocolNames()).toContain('toy-soc');
    const clock = new VirtualClock(1_000_000);
    const inst = await BenchInstance.start(parseBench(benchText(), 'toy.yaml'), { clock, mode: 'virtual', seed: 1, serveNetwork: false });
    try {
      const heard: CanFrame[] = [];
      const sentBefore = inst.signal('pack1.framesSent') as number; // the first cycle runs as the bench comes up
      const stop = inst.can.get('toy')!.handle.onFrame((f) => {
        if (f.id === TOY_ID) heard.push(f);
      });
      for (let i = 0; i < 30; i++) {
        inst.step(0.1);
        clock.advance(100);
      }
      stop();
      expect(heard.length).toBeGreaterThanOrEqual(3);
      const last = heard[heard.length - 1]!;
      const soc = (last.data[0]! | (last.data[1]! << 8)) / 10;
      const volts = (last.data[2]! | (last.data[3]! << 8)) / 10;
      expect(soc).toBeCloseTo(inst.signal('pack1.soc') as number, 0);
      expect(volts).toBeCloseTo(inst.signal('pack1.voltage') as number, 0);
      expect((inst.signal('pack1.framesSent') as number) - sentBefore).toBe(heard.length);
      // The same fault path as every protocol: the kinds come from the BMS fault registry, comms-loss silences it.
      expect(() => inst.injectFault('quiet', 'pack1', 'comms-los', {}, 'test')).toThrow(/fault 'quiet': device 'pack1' has no fault 'comms-los' \(did you mean 'comms-loss'\?\) \(it takes: cell-drift, /);
      inst.injectFault('quiet', 'pack1', 'comms-loss', {}, 'test');
      const before = heard.length;
      clock.advance(3000);
      expect(heard.length).toBe(before);
      expect(inst.signal('pack1.silencedByCommsLoss')).toBeGreaterThan(0);
    } finally {
      await inst.close();
    }
  });

  it('its protocol-only parameters come from its declaration, in the same checks as the built-in ones', () => {
    unregister = registerBmsProtocol(toyProtocol);
    expect(() => parseBench(benchText('{ periodMs: 200 }'), 'toy.yaml')).not.toThrow();
    expect(() => parseBench(benchText('{ generation: ze1 }'), 'toy.yaml')).toThrow(/'generation' applies to protocol nissan-leaf, not toy-soc/);
    expect(() => parseBench(benchText('{ variant: x }'), 'toy.yaml')).toThrow(/protocol toy-soc has no variants/);
    expect(() => registerBmsProtocol(toyProtocol)).toThrow(/registered already/);
  });
});
