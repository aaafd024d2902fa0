/**
 * Low-latency mode for serial ports on Linux: the `ASYNC_LOW_LATENCY` flag of `TIOCSSERIAL`, which serialport's
 * Linux binding sets with `set({ lowLatency: true })` (@serialport/bindings-cpp 13.0.0, src/serialport_linux.cpp
 * `linuxSetLowLatencyMode`, called from `SetBaton::Execute` in src/serialport_unix.cpp).
 *
 * Why: a USB serial adapter with an FTDI chip holds received bytes until its packet fills or its latency timer runs
 * out, 16 ms unless lowered. Linux's ftdi_sio driver writes the latency timer as 1 ms while the port has
 * `ASYNC_LOW_LATENCY` (torvalds/linux drivers/usb/serial/ftdi_sio.c at ab4cc4ef: `write_latency_timer`, called from
 * `set_serial_info`; `ftdi_sio_port_probe` keeps the chip's value, 16 when it cannot be read), and a user without
 * CAP_SYS_ADMIN may change that flag (`ASYNC_USR_MASK` includes it: include/uapi/linux/tty_flags.h at acc65856).
 * A 16 ms wait before a Modbus RTU request reaches us, or before an SLCAN frame does, is far longer than the
 * silences and reply times a test judges.
 *
 * What serialport does not say: bindings-cpp 13.0.0 returns success when the low-latency ioctl itself fails (it
 * formats the error but never sets it), so whether the flag took is read back with `get()`. Its `set()` also writes
 * the modem lines (TIOCMSET): DTR and RTS are asserted, as the Linux tty layer leaves them after open; a pty has no
 * modem lines and refuses the whole call (ENOTTY).
 */

/** The part of a serialport binding port this module uses (bindings-cpp `LinuxPortBinding.set` and `get`). */
export interface LowLatencyPort {
  set(options: { brk: boolean; cts: boolean; dsr: boolean; dtr: boolean; rts: boolean; lowLatency: boolean }): Promise<void>;
  get(): Promise<{ lowLatency?: boolean }>;
}

/** What {@link requestLowLatency} found. */
export type LowLatencyResult =
  | { state: 'on' }
  /** Not asked for: turned off by the caller, or not Linux. */
  | { state: 'not-asked' }
  /** The port refused it (a pty, a driver without the flag): `note` says so in one line, for the link's log. */
  | { state: 'refused'; note: string };

/**
 * Ask `port` (open) for low-latency mode when `want` and on Linux. Never throws: a port that refuses keeps working
 * as it is, and the result carries a note with the reason (the caller's log names the port).
 */
export async function requestLowLatency(port: LowLatencyPort, want = true, platform: NodeJS.Platform = process.platform): Promise<LowLatencyResult> {
  if (!want || platform !== 'linux') return { state: 'not-asked' };
  let why: string;
  try {
    await port.set({ brk: false, cts: false, dsr: false, dtr: true, rts: true, lowLatency: true });
    if ((await port.get()).lowLatency === true) return { state: 'on' };
    why = 'the driver did not take ASYNC_LOW_LATENCY';
  } catch (err) {
    why = err instanceof Error ? err.message : String(err);
  }
  return {
    state: 'refused',
    note: `low-latency mode not set (${why}): received bytes may wait for the adapter's latency timer (16 ms on FTDI adapters)`,
  };
}
