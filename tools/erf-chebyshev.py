# Chebyshev coefficients for packages/tensor/src/kernels/math.ts erf(): fits
#   erf(x)/x            as a series in u = 2x^2 - 1      on |x| <= 1
#   erfc(x) * exp(x^2)  as a series in t = (2x - (a+b))/(b-a) on [a, b] pieces of (1, 6]
# by interpolation at Chebyshev nodes, using Python's math.erf/erfc (correctly rounded to ~1 ulp) as truth.
# Usage: /usr/bin/python3 tools/erf-chebyshev.py   (prints TS arrays and the max relative error found)
import math

def cheb_fit(f, n):
    nodes = [math.cos(math.pi * (k + 0.5) / n) for k in range(n)]
    vals = [f(t) for t in nodes]
    return [(2.0 if j else 1.0) / n * sum(vals[k] * math.cos(math.pi * j * (k + 0.5) / n) for k in range(n)) for j in range(n)]

def clenshaw(c, t):
    b1 = b2 = 0.0
    for cj in reversed(c[1:]):
        b1, b2 = 2 * t * b1 - b2 + cj, b1
    return t * b1 - b2 + c[0]

def trim(c, tol=3e-16):
    # Keep terms up to the first one below float64 noise; later ones are interpolation noise.
    for j, cj in enumerate(c):
        if abs(cj) < tol * abs(c[0]):
            return c[:j]
    return c

small = trim(cheb_fit(lambda u: (lambda x: math.erf(x) / x if x > 0 else 2 / math.sqrt(math.pi))(math.sqrt((u + 1) / 2)), 40))
pieces = [(1.0, 2.5), (2.5, 4.0), (4.0, 6.0)]
big = []
for a, b in pieces:
    f = lambda t, a=a, b=b: (lambda x: math.erfc(x) * math.exp(x * x))(((b - a) * t + a + b) / 2)
    big.append(trim(cheb_fit(f, 60)))

def erf_fit(x):
    ax = abs(x)
    if ax <= 1:
        return x * clenshaw(small, 2 * x * x - 1)
    if ax >= 6:
        return math.copysign(1.0, x)
    for (a, b), c in zip(pieces, big):
        if ax <= b:
            r = 1 - math.exp(-ax * ax) * clenshaw(c, (2 * ax - a - b) / (b - a))
            return math.copysign(r, x)

worst = 0.0
for i in range(1, 200001):
    x = i * 7.0 / 200000
    want = math.erf(x)
    worst = max(worst, abs(erf_fit(x) - want) / want)
print('// max relative error on (0, 7]:', worst)
print('const ERF_SMALL = [' + ', '.join(repr(v) for v in small) + '];')
for (a, b), c in zip(pieces, big):
    print(f'// [{a}, {b}]')
    print('[' + ', '.join(repr(v) for v in c) + '],')
