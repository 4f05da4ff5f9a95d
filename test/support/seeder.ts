export { startSeeder, type Seed } from '../../scripts/lib/seeder.mjs';
