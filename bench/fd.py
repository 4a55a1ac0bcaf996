"""Frechet distance between two sets of feature vectors, as FID computes it (Heusel et al. 2017, eq. 6):

    FD = |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))

with the means and covariances of Gaussians fitted to each set. bench/steps.sh uses it in the penultimate feature
space of the shipped classifier. Features are float32 .npy files (N x D), as bench/StepsQuality.java writes them.

    /usr/bin/python3 bench/fd.py A.npy B.npy      # prints the distance
    /usr/bin/python3 bench/fd.py --self-test      # checks the formula on Gaussians with known answers
"""
import sys

import numpy as np
from scipy import linalg


def statistics(features):
    features = np.asarray(features, dtype=np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet(mu_a, sigma_a, mu_b, sigma_b):
    diff = mu_a - mu_b
    covmean, _ = linalg.sqrtm(sigma_a @ sigma_b, disp=False)
    if not np.isfinite(covmean).all():
        # Singular products (fewer samples than dimensions): regularise as pytorch-fid does.
        offset = np.eye(sigma_a.shape[0]) * 1e-6
        covmean = linalg.sqrtm((sigma_a + offset) @ (sigma_b + offset))
    # Rounding leaves tiny imaginary parts on a product that is similar to a PSD matrix.
    covmean = covmean.real
    return float(diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2 * np.trace(covmean))


def distance(features_a, features_b):
    return frechet(*statistics(features_a), *statistics(features_b))


def self_test():
    rng = np.random.default_rng(9)
    dim, n = 16, 50_000
    # Exact parameters: for commuting (diagonal) covariances the trace term is sum (sqrt(a) - sqrt(b))^2.
    a, b = rng.uniform(0.5, 2.0, dim), rng.uniform(0.5, 2.0, dim)
    shift = rng.normal(size=dim)
    exact = shift @ shift + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet(np.zeros(dim), np.diag(a), shift, np.diag(b))
    assert abs(got - exact) < 1e-9, f"diagonal Gaussians: {got} != {exact}"
    # A full covariance against itself: the trace term must cancel exactly.
    root = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    sigma = root @ root.T + 0.1 * np.eye(dim)
    got = frechet(shift, sigma, shift, sigma)
    assert abs(got) < 1e-9, f"identical Gaussians: {got} != 0"
    # Samples: two draws of the same Gaussian are close to 0 (the estimator's bias is O(dim^2 / n)),
    # and a shift adds |shift|^2.
    first = rng.multivariate_normal(np.zeros(dim), sigma, size=n)
    second = rng.multivariate_normal(np.zeros(dim), sigma, size=n)
    same = distance(first, second)
    shifted = distance(first, second + shift)
    assert 0 <= same < 0.02, f"two samples of one Gaussian: {same}"
    assert abs(shifted - shift @ shift) < 0.05 * shift @ shift, f"shifted by |s|^2 = {shift @ shift}: {shifted}"
    # Fewer samples than dimensions: singular covariances must still give a finite distance.
    few = distance(first[:8], second[:8])
    assert np.isfinite(few) and few > 0, f"singular covariances: {few}"
    print(f"fd self-test passed: diagonal exact {exact:.6f}; same Gaussian {same:.5f}; "
          f"shift |s|^2 = {shift @ shift:.4f} -> {shifted:.4f}; 8 samples in {dim} dims {few:.3f}")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(f"{distance(np.load(sys.argv[1]), np.load(sys.argv[2])):.6f}")


if __name__ == "__main__":
    main()
