package dev.visionserve.system;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code visionserve.cors.*} settings; see {@code docs/security.md}. No allowed
 * origin (the default): no cross-origin browser request is allowed.
 *
 * @param allowedOrigins origins (scheme://host[:port]) whose pages may call the service,
 * or {@code *}
 * @param allowedMethods methods they may use
 * @param allowedHeaders request headers they may send
 * @param exposedHeaders response headers their scripts may read
 * @param maxAge how long a browser may cache a preflight's answer
 */
@ConfigurationProperties("visionserve.cors")
public record CorsProperties(@DefaultValue List<String> allowedOrigins, @DefaultValue( {
		"GET", "POST" }) List<String> allowedMethods,
		@DefaultValue({ "Authorization", "X-API-Key", "Content-Type", "Accept" }) List<String> allowedHeaders,
		@DefaultValue({ "Retry-After", "WWW-Authenticate" }) List<String> exposedHeaders,
		@DefaultValue("30m") Duration maxAge){

}
