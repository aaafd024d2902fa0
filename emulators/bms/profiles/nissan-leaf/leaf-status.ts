/**
 * The Leaf LBC's status fields from the BMS state: how the harness's fault kinds show on a Leaf (see the table in
 * emulators/bms/README.md). Field meanings [BE update_values / handle_incoming_can_frame 0x1DB; LCM 0x1DB].
 */
import type { BmsSnapshot } from '../../device/snapshot';
import { BmsFlag } from '../../logic/flags';

export interface LeafStatus {
  /** LB_Relay_Cut_Request (2 bits): the LBC asks the VCM to open the main relays (non-zero = cut) [BE]. */
  relayCut: number;
  /** LB_Failsafe_Status (3 bits): 0 normal, 4 caution, 5 discharge stop, 6 charge stop, 7 both stop [BE]. */
  failsafe: number;
  /** LB_MainRelayOn_flag: permission / relays on [BE "No-Permission=0, Main Relay On Permission=1"]. */
  mainRelayOn: boolean;
  /** LB_INTER_LOCK: HV connectors seated [BE]. */
  interlock: boolean;
  /** LB_Full_CHARGE_flag [BE]. */
  full: boolean;
  /** LB_Capacity_Empty (0x55B) [BE]. */
  empty: boolean;
}

/** HV interlock has no fault kind of its own: an 'internal-fault' (BmsFlag.InternalFault) opens it here. */
export function leafStatus(s: Readonly<BmsSnapshot>, relaysConducting: boolean): LeafStatus {
  const faulted = s.alarms & (BmsFlag.ContactorFault | BmsFlag.Insulation | BmsFlag.InternalFault) || s.latched !== 0;
  let failsafe = 0;
  if (!s.chargeEnable && !s.dischargeEnable) failsafe = 7;
  else if (!s.chargeEnable) failsafe = 6;
  else if (!s.dischargeEnable) failsafe = 5;
  else if (s.warnings !== 0) failsafe = 4;
  return {
    relayCut: faulted ? 1 : 0,
    failsafe,
    mainRelayOn: relaysConducting,
    interlock: (s.alarms & BmsFlag.InternalFault) === 0,
    full: s.soc >= 0.999,
    empty: s.soc <= 0.001,
  };
}
