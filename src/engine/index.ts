export { Simulation, Timer, type SimulationOptions } from './simulation';
export { Process, Interrupt, type Waitable, type Yieldable, type ProcessBody, type Proc } from './process';
export { SimEvent, Parking } from './event';
export { Rng, Streams } from './random';
export { EventQueue, type FutureEventList } from './queue';
export { CalendarQueue } from './calendar';
export { Resource } from './resource';
export { SEED_RULE, seedProblem, seedText } from './seed';
export { withOverrides } from './params';
