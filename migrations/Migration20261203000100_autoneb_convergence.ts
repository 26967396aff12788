// Convergence-driven AutoNEB (issue 16): per cycle the evaluations spent, the steps taken, the
// NEB force measure and the run's force scale (a resumed run needs it), whether the cycle
// converged and why the run stopped; per path the evaluations and the stop reason. Rows from
// before have evaluations 0 (not counted then) and nulls.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000100AutonebConvergence extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "cycle" add column "evaluations" int not null default 0, add column "steps_taken" int null, add column "max_force" double precision null, ` +
        `add column "force_scale" double precision null, add column "converged" boolean not null default false, add column "stop_reason" text null;`,
    );
    this.addSql(`alter table "path" add column "evaluations" int not null default 0, add column "stop_reason" text null;`);
    // New landscapes default to the convergence-driven preset; stored ones keep theirs.
    this.addSql(`alter table "landscape" alter column "autoneb_preset" set default 'adaptive';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "cycle" drop column "evaluations", drop column "steps_taken", drop column "max_force", drop column "force_scale", drop column "converged", drop column "stop_reason";`);
    this.addSql(`alter table "path" drop column "evaluations", drop column "stop_reason";`);
    this.addSql(`alter table "landscape" alter column "autoneb_preset" set default 'paper';`);
  }
}
