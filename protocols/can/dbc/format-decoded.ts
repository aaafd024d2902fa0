import type { DecodedMessage } from './message';

/**
 * One line for people (a `candump --dbc` view): `BMS_Limits ChargeVoltageLimit=53.2 V ChargeEnable=Enabled(1)`.
 * Choice names are shown with their raw value; units follow the value.
 */
export function formatDecoded(d: DecodedMessage): string {
  const parts = [d.message.name];
  for (const [name, value] of Object.entries(d.signals)) {
    const choice = d.choices[name];
    if (choice !== undefined) {
      parts.push(`${name}=${choice}(${String(d.raw[name])})`);
      continue;
    }
    const raw = d.raw[name];
    const shown = typeof raw === 'bigint' && d.message.getSignal(name)?.factor === 1 && d.message.getSignal(name)?.offset === 0
      ? raw.toString()
      : String(value);
    const unit = d.message.getSignal(name)?.unit;
    parts.push(`${name}=${shown}${unit ? ` ${unit}` : ''}`);
  }
  return parts.join(' ');
}
