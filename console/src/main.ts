import { createApp } from 'vue';
import App from './App.vue';
import { createConsoleI18n, localeFromLanguageTag } from './i18n';
import './styles.css';

createApp(App).use(createConsoleI18n(localeFromLanguageTag(navigator.language))).mount('#app');
