import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { resolveApi } from './bridge/resolve-api';
import { createMagpieI18n, localeFromLanguageTag } from './i18n';
import { useBackend } from './stores/backend';
import { wireEvents } from './stores/event-wiring';
import { useSession } from './stores/session';
import { useUi } from './stores/ui';
import './styles/base.css';

const pinia = createPinia();
const i18n = createMagpieI18n(localeFromLanguageTag(navigator.language));
const app = createApp(App).use(pinia).use(i18n);

const { api, bridge } = resolveApi(window);
useBackend(pinia).attach(api);
wireEvents();
// events sent while the web shell's socket was down are lost: reload what the screen shows
bridge?.onReopen(() => void useSession(pinia).refresh());
// a page whose app process stopped must not look alive
bridge?.onLinkChange((up) => {
  useUi(pinia).appLinkUp = up;
});

app.mount('#app');
