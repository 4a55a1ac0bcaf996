package dev.visionserve.web;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.accept.HeaderContentNegotiationStrategy;
import org.springframework.web.context.request.NativeWebRequest;

/**
 * Content negotiation by the {@code Accept} header, as Spring's default, except that a
 * header that cannot be parsed is ignored, as if absent (RFC 9110 §12.5.1 lets a server
 * disregard it). Spring would answer 406, and 500 for {@code Accept: "a/b}, on which
 * Spring Framework 7.0's parser throws {@link StringIndexOutOfBoundsException} (found by
 * ApiMappingFuzzTests). A valid header that nothing matches is still 406. Stateless and
 * thread-safe.
 */
class AcceptHeaderNegotiation extends HeaderContentNegotiationStrategy {

	@Override
	public List<MediaType> resolveMediaTypes(NativeWebRequest request) throws HttpMediaTypeNotAcceptableException {
		try {
			return super.resolveMediaTypes(request);
		}
		catch (HttpMediaTypeNotAcceptableException | RuntimeException ex) {
			return MEDIA_TYPE_ALL_LIST;
		}
	}

}
