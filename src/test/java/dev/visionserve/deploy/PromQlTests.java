package dev.visionserve.deploy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metric-name extraction the chart tests rely on: it must find every metric and
 * nothing else, or the dashboard check would pass on a typo or fail on a label.
 */
class PromQlTests {

	@Test
	void findsTheMetricBehindFunctionsAggregationsAndMatchers() {
		assertThat(PromQl.metricNames(
				"sum by (outcome) (rate(visionserve_requests_total{application=\"visionserve\",namespace=~\"$namespace\"}[$__rate_interval]))"))
			.containsExactly("visionserve_requests_total");
	}

	@Test
	void findsEveryMetricOfABinaryExpressionButNoLabelOrNumber() {
		assertThat(PromQl
			.metricNames("histogram_quantile(0.99, sum by (le, endpoint) (rate(visionserve_request_seconds_bucket"
					+ "{endpoint=\"classify\"}[5m]))) > 1e3 and on (pod) visionserve_queue_depth offset 5m"
					+ " / sum without (model) (rate(visionserve_batch_size_count[5m])) > bool 0.5"))
			.containsExactly("visionserve_request_seconds_bucket", "visionserve_queue_depth",
					"visionserve_batch_size_count");
	}

	@Test
	void readsTheSelectorOfAGrafanaLabelValuesQueryNotItsLabel() {
		assertThat(PromQl.metricNames("label_values(visionserve_queue_depth{application=\"visionserve\"}, namespace)"))
			.containsExactly("visionserve_queue_depth");
	}

	@Test
	void keepsAMisspelledMetricSoTheCheckCanFail() {
		assertThat(PromQl.metricNames("sum(rate(visionserve_request_total[5m])) by (model)"))
			.containsExactly("visionserve_request_total");
	}

	@Test
	void ignoresOutcomesInARegexMatcher() {
		assertThat(PromQl.metricNames(
				"sum(rate(visionserve_requests_total{outcome!~\"success|invalid_.*|unknown_model\"}[5m])) > 0.05"))
			.containsExactly("visionserve_requests_total");
	}

}
