// Time is injected everywhere; the clock is its own workspace package, shared with the Odoo emulator and the sandbox.
export { systemClock, ManualClock, type Clock } from '@poleepo-odoo/clock';
