// The root tsconfig checks tests without the renderer's env.d.ts: .vue files are components.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
