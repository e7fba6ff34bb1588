package dev.alpharl.trainer.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name of a config key or enum value when the default rule does not fit: record components are named by
 * their camelCase name in kebab-case ({@code maxNewTokens} → {@code max-new-tokens}), enum constants by their
 * lowercase name ({@code DR_GRPO} → {@code dr_grpo}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD})
public @interface Key {
    String value();
}
