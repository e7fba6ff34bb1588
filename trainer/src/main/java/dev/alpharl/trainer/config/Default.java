package dev.alpharl.trainer.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The default value of a config key, written exactly as on the command line ({@code "0.2"}, {@code "grpo"},
 * {@code "0.9,0.999"} for a list). A key without a default is {@code null} (reference types), an empty list or map,
 * or, for a nested section, that section with its own defaults.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
    String value();
}
