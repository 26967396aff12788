"""ASE 3.22 NEB on a 2-D analytic surface, for `npm run bench:neb`.

Usage: ase_neb.py SURFACE XA,YA XB,YB  ->  JSON rows on stdout:
  system, evaluations (calculator calls, endpoints included once), saddle (the highest image's
  energy), seconds, note.
Runs: improved tangent + climbing image with FIRE, and with the ODE optimiser NEBOptimizer,
7 images, linear interpolation, stop at fmax 0.1 (the issue's table).
"""
import json
import sys
import time

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.neb import NEB, NEBOptimizer
from ase.optimize import FIRE

MB_A = [-200.0, -100.0, -170.0, 15.0]
MB_a = [-1.0, -1.0, -6.5, 0.7]
MB_b = [0.0, 0.0, 11.0, 0.6]
MB_c = [-10.0, -10.0, -6.5, 0.7]
MB_x0 = [1.0, 0.0, -0.5, -1.0]
MB_y0 = [0.0, 0.5, 1.5, 1.0]


def muller_brown(x, y):
    e = gx = gy = 0.0
    for k in range(4):
        dx, dy = x - MB_x0[k], y - MB_y0[k]
        v = MB_A[k] * np.exp(MB_a[k] * dx * dx + MB_b[k] * dx * dy + MB_c[k] * dy * dy)
        e += v
        gx += v * (2 * MB_a[k] * dx + MB_b[k] * dy)
        gy += v * (MB_b[k] * dx + 2 * MB_c[k] * dy)
    return e, gx, gy


def wolfe_quapp(x, y):
    e = x**4 + y**4 - 2 * x * x - 4 * y * y + x * y + 0.3 * x + 0.1 * y
    return e, 4 * x**3 - 4 * x + y + 0.3, 4 * y**3 - 8 * y + x + 0.1


def curved_valley(x, y):
    ring = 20 * (x * x + y * y - 1)
    e = 5 * (x * x + y * y - 1) ** 2 + y * y + 0.3 * y + 0.2 * x
    return e, ring * x + 0.2, ring * y + 2 * y + 0.3


SURFACES = {'muller-brown': muller_brown, 'wolfe-quapp': wolfe_quapp, 'curved-valley': curved_valley}


class Surface(Calculator):
    implemented_properties = ['energy', 'forces']
    calls = 0

    def __init__(self, f):
        Calculator.__init__(self)
        self.f = f

    def calculate(self, atoms=None, properties=None, system_changes=all_changes):
        Calculator.calculate(self, atoms, properties, system_changes)
        Surface.calls += 1
        x, y, _ = self.atoms.positions[0]
        e, gx, gy = self.f(x, y)
        self.results = {'energy': e, 'forces': np.array([[-gx, -gy, 0.0]])}


def run(f, a, b, optimizer):
    images = [Atoms('H', positions=[[a[0], a[1], 0.0]]) for _ in range(6)] + [Atoms('H', positions=[[b[0], b[1], 0.0]])]
    for image in images:
        image.calc = Surface(f)
    neb = NEB(images, climb=True, method='improvedtangent')
    neb.interpolate()
    Surface.calls = 0
    start = time.perf_counter()
    opt = FIRE(neb, logfile=None) if optimizer == 'FIRE' else NEBOptimizer(neb, logfile=None)
    converged = opt.run(fmax=0.1, steps=10000)
    seconds = time.perf_counter() - start
    saddle = max(image.get_potential_energy() for image in images)
    return {
        'system': f'ASE {optimizer} (improved tangent, climbing, 7 images, fmax 0.1)',
        'evaluations': Surface.calls,
        'saddle': saddle,
        'seconds': seconds,
        'note': f'{"converged" if converged else "not converged"}, {opt.nsteps} steps',
    }


def main():
    f = SURFACES[sys.argv[1]]
    a = [float(v) for v in sys.argv[2].split(',')]
    b = [float(v) for v in sys.argv[3].split(',')]
    print(json.dumps([run(f, a, b, 'FIRE'), run(f, a, b, 'ODE')]))


if __name__ == '__main__':
    main()
