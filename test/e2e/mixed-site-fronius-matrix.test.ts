/**
 * The defect matrix on the mixed site with a Fronius GEN24 Plus (fixtures/benches/mixed-fronius.yaml): one SunSpec
 * hybrid and one Fronius map (SunSpec in Fronius' shape plus the Fronius registers), both driven by the reference
 * controller's SunSpec driver. Every example scenario runs in virtual time against the correct controller and each
 * defect variant: the correct controller passes everything, each defect fails at least one scenario on an
 * expectation naming its symptom (as test/e2e/mixed-site-matrix.test.ts for the Sungrow site).
 */
import { describeDefectMatrix } from '../support/defect-matrix-suite';

describeDefectMatrix('defect matrix on the mixed site (SunSpec + Fronius GEN24 map, virtual time)', 'mixed-fronius.yaml');
