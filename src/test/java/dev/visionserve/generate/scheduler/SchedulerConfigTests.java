package dev.visionserve.generate.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SchedulerConfigTests {

	@Test
	void parseAcceptsDiffusersSpellingsInAnyCaseWithHyphensOrUnderscores() {
		assertThat(BetaSchedule.parse("linear")).isEqualTo(BetaSchedule.LINEAR);
		assertThat(BetaSchedule.parse("Scaled-Linear")).isEqualTo(BetaSchedule.SCALED_LINEAR);
		assertThat(BetaSchedule.parse("squaredcos_cap_v2")).isEqualTo(BetaSchedule.SQUAREDCOS_CAP_V2);
		assertThat(PredictionType.parse("epsilon")).isEqualTo(PredictionType.EPSILON);
		assertThat(PredictionType.parse("v-prediction")).isEqualTo(PredictionType.V_PREDICTION);
		assertThat(PredictionType.parse("SAMPLE")).isEqualTo(PredictionType.SAMPLE);
		assertThat(TimestepSpacing.parse("leading")).isEqualTo(TimestepSpacing.LEADING);
		assertThat(TimestepSpacing.parse("Trailing")).isEqualTo(TimestepSpacing.TRAILING);
		assertThat(TimestepSpacing.parse("linspace")).isEqualTo(TimestepSpacing.LINSPACE);
	}

	@Test
	void parseErrorsListTheValidValues() {
		assertThatIllegalArgumentException().isThrownBy(() -> BetaSchedule.parse("cosine"))
			.withMessageContaining("'cosine'")
			.withMessageContaining("linear, scaled_linear, squaredcos_cap_v2");
		assertThatIllegalArgumentException().isThrownBy(() -> PredictionType.parse("v"))
			.withMessageContaining("epsilon, v_prediction, sample");
		assertThatIllegalArgumentException().isThrownBy(() -> TimestepSpacing.parse(null))
			.withMessageContaining("leading, trailing, linspace");
	}

	private static SchedulerConfig config(int steps, double betaStart, double betaEnd, int stepsOffset,
			double clipRange, double eta) {
		return new SchedulerConfig(steps, BetaSchedule.LINEAR, betaStart, betaEnd, PredictionType.EPSILON,
				TimestepSpacing.LEADING, stepsOffset, true, clipRange, eta);
	}

	@Test
	void configRefusesValuesTheMathematicsCannotUse() {
		assertThat(config(1000, 1e-4, 0.02, 1, 1.0, 1.0).eta()).isEqualTo(1.0);
		assertThatIllegalArgumentException().isThrownBy(() -> config(0, 1e-4, 0.02, 0, 1.0, 0))
			.withMessageContaining("numTrainTimesteps");
		assertThatIllegalArgumentException().isThrownBy(() -> config(1000, 0, 0.02, 0, 1.0, 0))
			.withMessageContaining("betaStart");
		assertThatIllegalArgumentException().isThrownBy(() -> config(1000, 0.03, 0.02, 0, 1.0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> config(1000, 1e-4, 1.0, 0, 1.0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> config(1000, 1e-4, 0.02, 1000, 1.0, 0))
			.withMessageContaining("stepsOffset");
		assertThatIllegalArgumentException().isThrownBy(() -> config(1000, 1e-4, 0.02, 0, 0, 0))
			.withMessageContaining("clipSampleRange");
		assertThatIllegalArgumentException().isThrownBy(() -> config(1000, 1e-4, 0.02, 0, 1.0, 1.5))
			.withMessageContaining("eta");
		assertThatIllegalArgumentException().isThrownBy(() -> config(1000, 1e-4, 0.02, 0, 1.0, Double.NaN));
		assertThatIllegalArgumentException().isThrownBy(() -> new SchedulerConfig(1000, null, 1e-4, 0.02,
				PredictionType.EPSILON, TimestepSpacing.LEADING, 0, false, 1.0, 0));
	}

}
