package dev.visionserve.generate;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/**
 * Reads a base64 file field of a JSON body only from a JSON string. The mapper turns a
 * number into its text for other string fields (a {@code label} may be {@code 3}), but
 * {@code "image": 123} is a client's mistake to name, not bytes to decode. Stateless and
 * thread-safe.
 */
final class Base64Text extends ValueDeserializer<String> {

	@Override
	public String deserialize(JsonParser parser, DeserializationContext context) {
		if (parser.currentToken() != JsonToken.VALUE_STRING) {
			return (String) context.handleUnexpectedToken(String.class, parser);
		}
		return parser.getString();
	}

}
