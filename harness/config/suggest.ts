/** The "did you mean" of names in bench and scenario files: one implementation, in core/ (the emulators use it too). */
export { closest, didYouMean } from '../../core/suggest';
