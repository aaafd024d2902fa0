/**
 * The defect matrix on a mixed site (fixtures/benches/mixed.yaml): one SunSpec hybrid and one Sungrow SH-RT on its
 * own vendor map, driven by the reference controller's SunSpec link and Sungrow driver. Every example scenario runs
 * in virtual time against the correct controller and each defect variant: the correct controller passes everything,
 * each defect fails at least one scenario on an expectation naming its symptom.
 */
import { describeDefectMatrix } from '../support/defect-matrix-suite';

describeDefectMatrix('defect matrix on the mixed site (SunSpec + Sungrow vendor map, virtual time)', 'mixed.yaml');
