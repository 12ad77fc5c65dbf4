export { systemClock, ManualClock, type Clock } from './clock.ts';
