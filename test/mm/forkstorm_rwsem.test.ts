import { forkStormTest } from './forkstorm';

forkStormTest('3.18-rc1-i_mmap_rwsem');
