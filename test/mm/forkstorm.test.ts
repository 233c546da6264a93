import { forkStormTest } from './forkstorm';

forkStormTest('3.18-rc1');
